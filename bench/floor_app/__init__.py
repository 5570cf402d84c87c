"""Bench-only Django settings and URLs: the product plus the floor endpoints under /bench/.

Only the HTTP benchmark's server uses them (DJANGO_SETTINGS_MODULE=bench.floor_app.settings);
nothing in the product imports this package, so the endpoints exist on no real deployment.
"""
