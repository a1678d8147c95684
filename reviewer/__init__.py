"""Protocol Reviewer: review clinical-trial protocols offline."""

__version__ = "0.1.0"
