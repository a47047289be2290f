"""Apple Podcasts categories (the list directories accept); show.toml spells them ``"Category/Subcategory"``."""

from __future__ import annotations

_APPLE_LIST = """
Arts: Books, Design, Fashion & Beauty, Food, Performing Arts, Visual Arts
Business: Careers, Entrepreneurship, Investing, Management, Marketing, Non-Profit
Comedy: Comedy Interviews, Improv, Stand-Up
Education: Courses, How To, Language Learning, Self-Improvement
Fiction: Comedy Fiction, Drama, Science Fiction
Government
History
Health & Fitness: Alternative Health, Fitness, Medicine, Mental Health, Nutrition, Sexuality
Kids & Family: Education for Kids, Parenting, Pets & Animals, Stories for Kids
Leisure: Animation & Manga, Automotive, Aviation, Crafts, Games, Hobbies, Home & Garden, Video Games
Music: Music Commentary, Music History, Music Interviews
News: Business News, Daily News, Entertainment News, News Commentary, Politics, Sports News, Tech News
Religion & Spirituality: Buddhism, Christianity, Hinduism, Islam, Judaism, Religion, Spirituality
Science: Astronomy, Chemistry, Earth Sciences, Life Sciences, Mathematics, Natural Sciences, Nature, Physics,
  Social Sciences
Society & Culture: Documentary, Personal Journals, Philosophy, Places & Travel, Relationships
Sports: Baseball, Basketball, Cricket, Fantasy Sports, Football, Golf, Hockey, Rugby, Running, Soccer, Swimming,
  Tennis, Volleyball, Wilderness, Wrestling
Technology
True Crime
TV & Film: After Shows, Film History, Film Interviews, Film Reviews, TV Reviews
"""
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    category: tuple(sub.strip() for sub in subs.split(",") if sub.strip())
    for category, _, subs in (line.partition(":") for line in _APPLE_LIST.replace("\n  ", " ").strip().splitlines())
}


def split_category(value: str) -> tuple[str, str]:
    """``"Health & Fitness/Medicine"`` → ``("Health & Fitness", "Medicine")``; no subcategory → ``""``."""
    category, _, sub = value.partition("/")
    return category.strip(), sub.strip()


def category_problem(value: str) -> str:
    """Why ``value`` is not an Apple category, or "" when it is one."""
    category, sub = split_category(value)
    if category not in APPLE_CATEGORIES:
        return f"{category!r} is not an Apple Podcasts category"
    if sub and sub not in APPLE_CATEGORIES[category]:
        subs = ", ".join(APPLE_CATEGORIES[category]) or "none"
        return f"{sub!r} is not a subcategory of {category!r} (possible: {subs})"
    return ""
