from knowledge import without_tensorflow

without_tensorflow()
