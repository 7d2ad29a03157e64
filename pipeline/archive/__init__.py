"""The permanent record: BagIt bags, their verification, the Daftar Arsip, reindexing."""
