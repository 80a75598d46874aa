"""`piaudit batch`: a plan of apps over a pool of devices, locally or on a Ray cluster."""
