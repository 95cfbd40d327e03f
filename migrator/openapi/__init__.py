"""The official v3 OpenAPI files and the validator every v3 body is checked with."""
