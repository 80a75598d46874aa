def register(add, sub):
    pass
