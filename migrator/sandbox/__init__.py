"""The embedded sandbox: an emulated Media Services account with a v2 OData face and a v3 ARM face."""
