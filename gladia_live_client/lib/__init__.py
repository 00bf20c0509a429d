"""The hand-written layer over the generated client (never touched by `make generate`)."""
