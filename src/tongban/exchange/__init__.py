"""Data sharing (目录体系与交换体系): resource catalog, sharing grants, the exchange gateway,
its signed message log and the adapters to departments' own systems."""
