"""The test suite; ``tests.scenarios`` holds the examples the test modules share."""
