"""What people read: the status board, STATUS.txt, the history pages, the terminal table, the
compliance report."""
