"""The demo municipality: ``madoguchi demo`` builds it (synthetic city, catalog, staff)
and serves it. It sits at the top of the app graph: it uses every app, none uses it."""
