"""4.3.1(vi)-(x): investigation, findings, recommendations and their disclosure (5.1),
telling the parties."""
