"""Real servers for the test suite: installed into the shared cache, started on free loopback ports."""
