"""Local emulators of the four provider APIs, for the demo and the tests."""
