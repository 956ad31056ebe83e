"""Rate analysis: fee schedules, Medicare and market benchmarks, gaps, proposals and solving."""
