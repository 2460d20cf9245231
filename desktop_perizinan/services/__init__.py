"""Use cases. One transaction per use case; roles enforced here, not only in screens. No Qt."""
