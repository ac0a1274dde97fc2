"""The local stack: the API, its functions and moto for AWS, in one process (`make run`)."""
