"""Files the console hands out: search results (.xlsx), the review form and the monitoring
report (.docx). Each builder takes plain values and returns the file's bytes."""
