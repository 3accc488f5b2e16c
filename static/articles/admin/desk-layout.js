'use strict';
// Below 1440 px the admin's app menu starts folded, so the story list and form get the width
// (an editor who opens it keeps it open: the admin remembers the choice). Runs before the
// admin's nav_sidebar.js, which reads the same setting.
(function () {
    const KEY = 'django.admin.navSidebarIsOpen';
    try {
        if (window.innerWidth < 1440 && localStorage.getItem(KEY) === null) {
            localStorage.setItem(KEY, 'false');
        }
    } catch (error) {
        // Storage refused (private mode): the menu opens as the admin decides.
    }
})();
