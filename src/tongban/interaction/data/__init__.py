"""Shipped data of appeal routing: the corpus, its generator, the model and its report."""
