"""One player's game: sessions, versioned atomic saves, the loop every frontend
shares, scripted and random play, test plans."""
