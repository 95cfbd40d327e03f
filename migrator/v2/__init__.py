"""The v2 (OData v3) side: entity model, wire formats, inventory reader and snapshot store."""
