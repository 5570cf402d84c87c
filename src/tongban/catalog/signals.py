"""Every write of the catalog's configuration moves the catalog version on, so that cached
material lists (``selectors.bundle_materials``, ``selectors.materials_of``) are read again.

Signals rather than service calls, because administrators edit the catalog in the admin."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from tongban.catalog.models import ItemImplementation, LifeEventBundle, Material, ServiceItem
from tongban.catalog.selectors import catalog_changed


def _changed(sender: Any, **kwargs: Any) -> None:
    catalog_changed()


def connect() -> None:
    for model in (ServiceItem, ItemImplementation, Material, LifeEventBundle):
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalog-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"catalog-del-{model.__name__}")
    m2m_changed.connect(
        _changed,
        sender=LifeEventBundle.implementations.through,
        dispatch_uid="catalog-bundle-implementations",
    )
