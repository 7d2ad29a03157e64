"""Making documents: templates and their contexts, forms, PDFs, stamps, batch regeneration."""
