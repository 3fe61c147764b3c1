"""The Node interface: every object with an opaque global id that node(id:) resolves."""

import strawberry


@strawberry.interface(description="An object with an opaque global id; node(id:) resolves it.")
class Node:
    id: strawberry.ID
