"""Open data (数据开放): datasets published from the resource catalog, downloads, a
CKAN-compatible Action API and DCAT-AP metadata."""
