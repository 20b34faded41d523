"""The browser path: scrapy-playwright with the system Chromium, bounded and recycled.

Modules: settings (the knobs and the Scrapy settings they make), rules (the `ad:` block of
ad sources), page_methods (wait, expand, screenshot), page_init (per-page guards),
blocking (aborted resources), recycle (context recycling), capture (reading the rendered
page), errors (the error tree and Playwright mapping).
"""
