"""ams-migrator: move an Azure Media Services account from the v2 REST API to v3 (ARM)."""

__version__ = "0.1.0"
