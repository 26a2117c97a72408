"""The knowledge base: data model, loader, search and the replies built from them."""
