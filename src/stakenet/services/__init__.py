"""Use cases: validate, write through the store, keep the projection in step, answer questions."""
