"""Running the product: backup and restore, and the health endpoint. Above the apps whose
state they check or copy (audit, catalog), so ``core`` stays at the bottom."""
