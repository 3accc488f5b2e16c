"""The production application, plus the demo's uploaded photos served from MEDIA_ROOT.

In production media come from the storage or a CDN in front of it; the audit has neither, and a
page whose photos answer 404 would be measured with broken images.
"""

from django.conf import settings
from whitenoise import WhiteNoise

from newsroom.wsgi import application as site

application = WhiteNoise(site)
application.add_files(str(settings.MEDIA_ROOT), prefix=settings.MEDIA_URL)
