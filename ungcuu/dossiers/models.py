"""The network-member dossier, TT 20/2017 Biểu mẫu 01 (SPEC §9)."""
