"""Scrapy settings for ilo-crawler. Every knob of the project is here, documented.

The defaults are for the real site and are polite. Runs against the local replica (tests, demo,
benchmarks) relax them explicitly on the command line, e.g.
``-s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_ENABLED=0 -s CONCURRENT_REQUESTS_PER_DOMAIN=16``.
"""

from ilo_crawler.sites import DEFAULT_BASE_URL

BOT_NAME = "ilo_crawler"
SPIDER_MODULES = ["ilo_crawler.spiders"]
NEWSPIDER_MODULE = "ilo_crawler.spiders"
#: Project commands; ``crawl`` is ours: it checks spider arguments before any request is made.
COMMANDS_MODULE = "ilo_crawler.commands"

# The site -------------------------------------------------------------------------------------
#: Root of the site to crawl: the real ILO site, or the replica (``python -m ilo_crawler.mirror``).
ILO_BASE_URL = DEFAULT_BASE_URL
#: Where people running the site can read what this crawler is and whom to tell about it.
ILO_CONTACT_URL = "https://github.com/ilo-crawler/ilo-crawler"
USER_AGENT = f"ilo-crawler/0.1 (archival crawler of the ILO Newsroom; +{ILO_CONTACT_URL})"

# The archive ----------------------------------------------------------------------------------
#: The SQLite archive the crawl writes (created with its tables when missing).
ILO_ARCHIVE_PATH = "data/archive.db"
#: Items written per transaction.
ILO_STORAGE_BATCH_SIZE = 100
#: Batches handed to the archive's writer process and not yet written, at most: past that, items
#: wait for it (and Scrapy stops downloading once its scraper slot is full), so a slow archive
#: slows the crawl instead of filling memory.
ILO_STORAGE_QUEUE_BATCHES = 4
#: Processes that read a live crawl's article pages with the sites' page objects, beside the
#: crawl (``ilo_crawler/sites/readers.py``): the reactor thread hands each page over instead of
#: reading it, and goes on downloading. 0: pages are read in the crawl's own process.
ILO_PAGE_READERS = 1
#: The label taxonomy (TOML); None: the one shipped in ``ilo_crawler/normalize/taxonomy.toml``.
ILO_TAXONOMY_PATH = None
#: An incremental run (no span argument) walks at least down to items this many days older than
#: the start of the last clean run (see the README's stopping rule).
ILO_INCREMENTAL_MARGIN_DAYS = 31
#: An incremental run of the current site reads its sitemap too (docs/daily-runs.md): pages
#: corrected since they were archived, pages in no listing, pages taken down. ``-a sitemap=0|1``
#: decides for one run.
ILO_SITEMAP = True

# Politeness towards the real site ---------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
#: Retries wait (``ilo_crawler.middlewares.BackoffRetryMiddleware``): the server's Retry-After up to
#: ILO_RETRY_AFTER_MAX seconds, else ILO_RETRY_BACKOFF_BASE doubled per attempt up to the MAX.
ILO_RETRY_BACKOFF_BASE = 2.0
ILO_RETRY_BACKOFF_MAX = 60.0
ILO_RETRY_AFTER_MAX = 300.0
#: Each pause is lengthened by a random share up to this (0.5: up to half again), so that requests
#: refused together (a rate limit) come back spread out rather than all at once.
ILO_RETRY_JITTER = 0.5
#: A ``<meta http-equiv="refresh">`` is not followed: the WCMS's stub pages of documents that
#: are PDFs refresh to the PDF, and are archived as what they are (a web archive's ``id_``
#: capture refreshes to a path the archive does not serve).
METAREFRESH_ENABLED = False
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "ilo_crawler.middlewares.BackoffRetryMiddleware": 550,
    # Before the retries: the web archive's 429s pause its endpoint; refusals after them stop.
    "ilo_crawler.middlewares.WaybackPacer": 560,
}
# The web archive (``-a source=wayback``) ------------------------------------------------------
#: Root of the Wayback Machine (or of its replica, ``python -m ilo_crawler.mirror --wayback``).
ILO_WAYBACK_URL = "https://web.archive.org"
#: Captures of a month's listing pages are searched from its first day to this many days after
#: its last (a capture made after the month lists all of its items; later ones list them deeper).
ILO_WAYBACK_LISTING_WINDOW_DAYS = 31
#: Politeness towards the archive, a shared public service, by endpoint: the CDX API and the
#: captures each get a download slot of their own, paced as a rate (a start at most every
#: 60 / N seconds, never shortened by AutoThrottle). The Wayback Machine's hard limits are 30 CDX
#: queries and 600 captures a minute per IP; Internet Archive asks clients to stay at 80 % of
#: them, the defaults of the edgi-govdata-archiving ``wayback`` client (its issues #206/#208).
ILO_WAYBACK_CDX_PER_MINUTE = 24
ILO_WAYBACK_CAPTURES_PER_MINUTE = 480
#: Captures a few at a time over kept-alive connections (a new connection per request gets
#: connections refused: wayback-machine-downloader #264, PR #280); CDX queries one at a time.
ILO_WAYBACK_CAPTURE_CONCURRENCY = 4
#: A 429 (which the archive sends without ``Retry-After``) pauses its endpoint this many seconds
#: (its ``Retry-After`` when it sends one) and multiplies the endpoint's rate by
#: ILO_WAYBACK_SLOWDOWN for the rest of the run: a client that keeps sending through a minute of
#: 429s is blocked at the firewall for an hour, doubling each time (IA staff, edgi #137).
ILO_WAYBACK_429_PAUSE = 60.0
ILO_WAYBACK_SLOWDOWN = 0.5
#: How long the archive blocks a client, as far as a new run is concerned: a run started less than
#: this many hours after a run that was blocked is refused (exit status 9).
ILO_WAYBACK_BLOCK_HOURS = 1.0
#: Multiplies every pause and interval above (rates, the 429 pause, the block's hour): 1 for the
#: real archive; tests and benchmarks run the same mechanism fast against a replica whose limits
#: are scaled alike (``python -m ilo_crawler.mirror --wayback --time-scale F``).
ILO_WAYBACK_TIME_SCALE = 1.0
#: The WCMS newsroom's last month: ``since`` without ``until`` ends here for ``-a source=wayback``,
#: and a web-archive span past it is refused.
ILO_WAYBACK_LAST_MONTH = "2024-04"
#: Where ``-a source=wayback -a all=1`` (the backfill) starts: the oldest month to look for in
#: the archive (the replica's default dataset starts here; a month before the listing's first has
#: no capture and costs one CDX query).
ILO_WAYBACK_FIRST_MONTH = "2010-01"
#: The current site's first month (YYYY-MM): without ``-a source``, incremental runs and months
#: from it on read the current site, earlier months the web archive (the WCMS newsroom's last
#: item is of 16 April 2024; the current site publishes what came after).
ILO_CURRENT_FIRST_MONTH = "2024-05"
#: Months read at once: the next month's listing query goes out when one is read (a whole
#: backfill's queries queued at once would hold every download slot waiting for the CDX pace).
ILO_WAYBACK_MONTHS_AT_ONCE = 2
#: Rows a page of a section's prefix query asks for; longer answers go on with resume keys.
ILO_WAYBACK_CDX_PAGE_ROWS = 10000
#: Retries of a request to the archive after a 5xx or a network error (and, counted apart, after
#: a 429 once its endpoint's pause is over).
ILO_WAYBACK_RETRY_TIMES = 5

#: Pages larger than this are refused (the site's pages are far smaller).
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024

ITEM_PIPELINES = {
    "ilo_crawler.pipelines.dates.DateNormalizationPipeline": 100,
    "ilo_crawler.pipelines.categories.CategoryNormalizationPipeline": 200,
    "ilo_crawler.pipelines.storage.ArchiveStoragePipeline": 900,
}
EXTENSIONS = {
    "ilo_crawler.extensions.RunRecorder": 500,
    "ilo_crawler.extensions.ConsoleProgress": 510,
}
#: An unattended archival crawl needs no live consoles: Scrapy's telnet console and its remote
#: control HTTP server would each open a port that runs code inside the crawl.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

#: Scrapy starts this many tasks for every callback's output; ours yield a dozen at most, and 100
#: (the default) cost a tenth of the crawl's CPU (benchmarks/README.md).
CONCURRENT_ITEMS = 16
#: Scrapy re-reads a callback's source on every response to warn about generator return values;
#: our callbacks are checked by the tests instead (it cost about 5% of the crawl's CPU).
WARN_ON_GENERATOR_RETURN_VALUE = False

LOG_LEVEL = "INFO"
#: Items named in one line in Scrapy's per-item log lines, and no line made for an item scraped
#: unless LOG_LEVEL is DEBUG (``ilo_crawler/logformatter.py``).
LOG_FORMATTER = "ilo_crawler.logformatter.ItemLogFormatter"
#: What a crawl prints (README, "What a crawl prints"): ``terminal``, a progress line and the
#: summary line last, Scrapy's log kept to warnings and errors (all of it in LOG_FILE, if given);
#: ``log``, Scrapy's whole log as it comes (cron, a pipe); ``auto``, ``terminal`` when stderr is
#: a terminal and LOG_LEVEL is not given on the command line, else ``log``.
ILO_CONSOLE = "auto"
#: Seconds between redraws of the progress line (0: none).
ILO_PROGRESS_INTERVAL = 1.0
FEED_EXPORT_ENCODING = "utf-8"
#: What ``-o items.jsonl`` (or FEEDS) writes of each article: what the pages say and the pipelines
#: made of it, under the archive's column names; not the page as received (``ilo-archive warc``
#: exports those). Only articles reach a feed: the captures, failures and sightings the spider
#: yields for the archive are left out unless a feed names them in its ``item_classes``
#: (``ilo_crawler/commands/crawl.py``).
FEED_EXPORT_FIELDS = [
    "doc_id",
    "lang",
    "url",
    "title",
    "summary",
    "credit",
    "label",
    "category",
    "category_slug",
    "published",
    "month",
    "date_text",
    "article_type",
    "article_published",
    "body",
    "translations",
    "listing",
    "source",
    "captured_at",
    "archive_url",
    "fetched_at",
    "fetch_error",
]
