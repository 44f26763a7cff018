"""Plans and catalog entries in other tools' formats; text is returned, never printed.

- :func:`netbox_files` / :func:`write_netbox`: a plan as NetBox import files (device types in
  the devicetype-library YAML format, racks and devices as bulk-import CSV).
- :func:`catalog_stub_from_netbox`: a NetBox device-type YAML as a rackplan catalog entry stub,
  with a placeholder for every field NetBox does not carry.
"""

from .netbox import netbox_files, write_netbox
from .netbox_import import NetboxStub, catalog_stub_from_netbox

__all__ = [
    "NetboxStub",
    "catalog_stub_from_netbox",
    "netbox_files",
    "write_netbox",
]
