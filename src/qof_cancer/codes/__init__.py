"""Code clusters and their provenance."""

from qof_cancer.codes.clusters import BUNDLED_DIR, Cluster, ClusterSet, load_clusters

__all__ = ["BUNDLED_DIR", "Cluster", "ClusterSet", "load_clusters"]
