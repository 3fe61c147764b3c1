"""The curated records of the source documents: human-editable data files and their loader."""
