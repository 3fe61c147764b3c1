"""What editors change: the mutations, their checks and the rules every edit shares."""
