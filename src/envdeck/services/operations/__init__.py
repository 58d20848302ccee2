"""Operations: restart and upgrade runs, their transports and their verification (issue 7)."""
