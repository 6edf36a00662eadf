"""The ILO's current website (www.ilo.org since 2024): a Drupal site on the ILO's design system,
``/resource/news/<slug>`` articles, an "All news" listing of cards paged with ``?page=N``.
``urls`` is its URL scheme, the one place that knows it."""
