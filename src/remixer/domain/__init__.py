"""Pure rules of the product: ids, error codes, scopes, job states, credits, wiring."""
