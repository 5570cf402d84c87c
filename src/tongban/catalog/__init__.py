"""Service catalog (政务服务事项): items, implementation per division, materials, forms,
guides and life-event bundles."""
