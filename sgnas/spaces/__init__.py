"""Search spaces besides SGNAS's unified space, each a self-contained package with the same interfaces."""
