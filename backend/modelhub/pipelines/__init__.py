"""Pipeline building blocks shared by the jobs: preprocessing, Spark launcher, training, evaluation."""
