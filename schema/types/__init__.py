"""What the API shows: the GraphQL types of the register and the root Query."""
