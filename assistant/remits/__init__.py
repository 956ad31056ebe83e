"""Remittances: X12 835 import, actual reimbursement, underpayments and denial trends."""
