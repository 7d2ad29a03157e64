"""What people read: the status board, STATUS.txt, the terminal table, the compliance report."""
