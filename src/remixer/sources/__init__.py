"""Source providers: the local catalog of imported videos and TikTok via yt-dlp."""
