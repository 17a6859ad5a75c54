"""From the store to files on disk: the renderers' views, README/JSON/feeds/site outputs, exports.

No network here: everything is re-renderable from the database.
"""
