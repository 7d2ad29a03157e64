"""sop-pipeline: an office's written SOP run as a document pipeline over its shared folder."""

__version__ = "0.1.0"
