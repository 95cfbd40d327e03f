"""The v3 side: the Azure Resource Manager client for Microsoft.Media."""
