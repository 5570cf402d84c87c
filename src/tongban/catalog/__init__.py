"""Service catalog (政务服务事项): items, implementation per division, materials, forms, guides, life-event bundles."""
