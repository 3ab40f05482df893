/**
 * Builds scripts/sample/news-page.jsonl from the seed page (../shared/seed/news-page.txt).
 *
 * The headlines are the page's own, typed out below with a section, a language and a
 * plausible outlet; the Belarus article's text is read from the seed itself so the sample
 * carries it verbatim. Everything else (times, outlets, urls, bodies, images) is synthetic:
 * see scripts/sample/README.md. Duplicates are planted on purpose so the pipeline's dedup
 * has work to do; test/node/sample-data.test.ts checks that this script still reproduces
 * the committed file byte for byte.
 *
 *   node_modules/.bin/node scripts/sample/make-news-page.ts [seed] [out]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fnv1a32 } from '../../src/core/content/normalize.ts';

/** The RawArticle input shape (src/core/content/article.ts), with the keys this sample uses. */
export interface SampleRecord {
  id?: string;
  source: string;
  section: string;
  lang: 'ru' | 'en' | 'uk';
  published: string;
  title: string;
  body: string;
  url?: string;
  summary?: string;
  image?: string;
  image_credit?: string;
  tags?: string[];
  authors?: string[];
}

/** One more copy of a story, the way aggregation meets it again. */
interface Copy {
  /** Minutes after the first copy. */
  after: number;
  /** Another outlet; absent = the same outlet and url, re-shared with tracking parameters. */
  source?: string;
  /** Query string appended to the url (utm tracking). */
  query?: string;
  /** A near-duplicate title (punctuation, quotes, ё, one extra word). */
  title?: string;
  /** Copies are poorer than the first one unless told otherwise. */
  rich?: boolean;
}

interface Story {
  title: string;
  section: string;
  lang: 'ru' | 'en' | 'uk';
  source: string;
  body: string;
  /** "2024-07-15T09:30"; UTC. */
  at: string;
  /** false: the first copy is the poor one and a later copy (rich: true) carries summary and image. */
  rich?: boolean;
  summary?: string;
  /** Image file name under IMAGE_BASE. */
  image?: string;
  credit?: string;
  tags?: string[];
  copies?: Copy[];
}

const IMAGE_BASE = 'https://edge-news.example/images/';

/**
 * Outlet -> host. Hosts are under the reserved `.example` TLD (RFC 2606): they look like
 * the outlet but can never resolve, so nobody mistakes a sample url for a real article.
 */
const HOSTS: Record<string, string> = {
  'Atlantic Council': 'www.atlanticcouncil.example',
  Reuters: 'www.reuters.example',
  'Eurasian International University': 'eiu.example',
  'Москва 24': 'www.m24.example',
  'Вечерняя Москва': 'vm.example',
  'РИА Новости': 'ria.example',
  ТАСС: 'tass.example',
  Интерфакс: 'www.interfax.example',
  Известия: 'iz.example',
  РБК: 'www.rbc.example',
  Коммерсантъ: 'www.kommersant.example',
  'Лента.ру': 'lenta.example',
  'Газета.Ru': 'www.gazeta.example',
  'Российская газета': 'rg.example',
  МК: 'www.mk.example',
  'Блокнот Сочи': 'bloknot-sochi.example',
  'Кубань 24': 'kuban24.example',
  'Спорт-Экспресс': 'www.sport-express.example',
  Чемпионат: 'www.championat.example',
  'Советский спорт': 'www.sovsport.example',
  'Здоровье Mail': 'health.mail.example',
  'Культура.РФ': 'www.culture.example',
  InterMedia: 'www.intermedia.example',
  Игромания: 'www.igromania.example',
  ФедералПресс: 'fedpress.example',
  Regnum: 'regnum.example',
  'Крым 24': 'crimea24.example',
  'Новости Калуги': 'kaluga-news.example',
  ПримаМедиа: 'primamedia.example',
  'Пресс-релизы': 'press-release.example',
  'Українська правда': 'www.pravda-ua.example',
  Укрінформ: 'www.ukrinform.example',
  'ZAXID.NET': 'zaxid.example',
  'Львівський портал': 'portal.lviv.example',
  PYN: 'pyn.example',
};

const TRACKING = {
  telegram: 'utm_source=telegram&utm_medium=social&utm_campaign=news',
  yandex: 'utm_source=yandex.ru&utm_medium=organic&utm_campaign=dzen',
  vk: 'utm_source=vk&utm_medium=social',
  mail: 'utm_source=newsletter&utm_medium=email&utm_campaign=morning',
};

/*
 * The page, top to bottom. Headlines are the page's own characters, no-break spaces
 * (\u00a0) included; bodies only restate them.
 */
const STORIES: Story[] = [
  {
    title:
      'Заведующий рефракционным отделением клиники микрохирургии глаза АйМед Кирилл Светлаков: как снизить нагрузку на глаза при работе с гаджетами',
    section: 'health',
    lang: 'ru',
    source: 'Здоровье Mail',
    at: '2024-07-14T06:10',
    body: 'Заведующий рефракционным отделением клиники микрохирургии глаза АйМед Кирилл Светлаков рассказал, как снизить нагрузку на глаза при работе с гаджетами.',
    summary:
      'Кирилл Светлаков из клиники АйМед рассказал, как беречь глаза при работе с гаджетами.',
    image: 'eyes-gadgets.jpg',
    credit: 'Пресс-служба АйМед',
    tags: ['здоровье', 'зрение'],
    copies: [
      { after: 25, query: TRACKING.telegram },
      {
        after: 190,
        source: 'МК',
        title:
          'Заведующий рефракционным отделением клиники микрохирургии глаза «АйМед» Кирилл Светлаков — как снизить нагрузку на глаза при работе с гаджетами',
      },
    ],
  },
  {
    title: 'Выборы мэра Сочи могут отменить из-за нарушений',
    section: 'politics',
    lang: 'ru',
    source: 'Блокнот Сочи',
    at: '2024-07-14T07:05',
    body: 'Выборы мэра Сочи могут отменить из-за нарушений, сообщает издание.',
    rich: false,
    summary: 'Выборы мэра Сочи могут быть отменены из-за нарушений.',
    image: 'sochi-elections.jpg',
    credit: 'Кубань 24',
    tags: ['Сочи', 'выборы'],
    copies: [
      { after: 130, source: 'Кубань 24', rich: true },
      {
        after: 260,
        source: 'Regnum',
        title: 'Выборы мэра Сочи могут отменить из-за массовых нарушений',
      },
    ],
  },
  {
    title:
      'Письмо генеральному прокурору и отмена выборов - чем может обернуться избрание нового главы города Сочи?',
    section: 'politics',
    lang: 'ru',
    source: 'Блокнот Сочи',
    at: '2024-07-14T08:20',
    body: 'Письмо генеральному прокурору и возможная отмена выборов: издание разбирает, чем может обернуться избрание нового главы города Сочи.',
    summary:
      'Чем может обернуться избрание нового главы Сочи: письмо генеральному прокурору и возможная отмена выборов.',
    image: 'sochi-city-hall.jpg',
    credit: 'Блокнот Сочи',
    tags: ['Сочи', 'выборы'],
    copies: [
      { after: 15, query: TRACKING.telegram },
      { after: 95, query: TRACKING.yandex },
      { after: 200, source: 'Кубань 24' },
    ],
  },
  {
    title: '"Матрица" от ShantiOlga активирует изобилие',
    section: 'partner',
    lang: 'ru',
    source: 'Пресс-релизы',
    at: '2024-07-14T08:40',
    body: 'Партнерский материал: автор ShantiOlga представляет практику «Матрица», которая, по словам автора, активирует изобилие.',
    copies: [{ after: 300, query: TRACKING.vk }],
  },
  {
    title: 'Студия звукозаписи в Москве. Студия звукозаписи цена.',
    section: 'partner',
    lang: 'ru',
    source: 'Пресс-релизы',
    at: '2024-07-14T09:00',
    body: 'Партнерский материал: студия звукозаписи в Москве рассказывает об услугах и ценах на запись.',
  },
  {
    title: 'Сеть клиник «Будь Здоров» открывает новое направление лечения — ВМАС-терапию',
    section: 'health',
    lang: 'ru',
    source: 'Пресс-релизы',
    at: '2024-07-14T09:30',
    body: 'Сеть клиник «Будь Здоров» открывает новое направление лечения — ВМАС-терапию.',
  },
  {
    title: 'Итоги конкурса моделей «Best Model Russia 2024»',
    section: 'culture',
    lang: 'ru',
    source: 'InterMedia',
    at: '2024-07-14T10:15',
    body: 'Подведены итоги конкурса моделей «Best Model Russia 2024».',
  },
  {
    title: "Biden's anger bleeds through as party weighs his future",
    section: 'world',
    lang: 'en',
    source: 'Reuters',
    at: '2024-07-14T11:00',
    body: "President Joe Biden's anger is showing as the Democratic Party weighs his political future.",
    summary: "Biden's frustration shows while Democrats weigh his future.",
  },
  {
    title:
      'Faculty of International Journalism and Mass Communications Eurasian International University is conducting an additional intake of applicants!',
    section: 'education',
    lang: 'en',
    source: 'Eurasian International University',
    at: '2024-07-14T11:30',
    body: 'The Faculty of International Journalism and Mass Communications of Eurasian International University announces an additional intake of applicants.',
  },
  {
    title: 'Водопады "Три сестры"',
    section: 'travel',
    lang: 'ru',
    source: 'Культура.РФ',
    at: '2024-07-14T12:00',
    body: 'Рассказ о водопадах «Три сестры».',
    image: 'three-sisters-falls.jpg',
    credit: 'Культура.РФ',
  },
  {
    title: 'Ардонское ущелье',
    section: 'travel',
    lang: 'ru',
    source: 'Культура.РФ',
    at: '2024-07-14T12:20',
    body: 'Рассказ об Ардонском ущелье.',
  },
  {
    title:
      'Интервью AppTime с компанией Innova: релиз Gran Saga в России, внутриигровая оплата и «Масленица» в корейской MMO',
    section: 'games',
    lang: 'ru',
    source: 'Игромания',
    at: '2024-07-14T13:10',
    body: 'AppTime поговорил с компанией Innova о релизе Gran Saga в России, внутриигровой оплате и «Масленице» в корейской MMO.',
  },
  {
    title: 'Фотомагазин PYN: ваш надійний партнер у світлі та фотографії',
    section: 'partner',
    lang: 'uk',
    source: 'PYN',
    at: '2024-07-14T13:40',
    body: 'Партнерський матеріал: фотомагазин PYN пропонує все для світла та фотографії й називає себе надійним партнером фотографів.',
  },
  {
    title:
      'Опубликован рейтинг упоминаемости и активности политиков в Telegram каналах за июнь 2024 года',
    section: 'politics',
    lang: 'ru',
    source: 'ФедералПресс',
    at: '2024-07-14T14:05',
    body: 'Опубликован рейтинг упоминаемости и активности политиков в Telegram-каналах за июнь 2024 года.',
  },
  {
    title:
      'Владислав Овчинский: жители дома на Радужной улице начали переезд в новостройку по программе реновации',
    section: 'moscow',
    lang: 'ru',
    source: 'Москва 24',
    at: '2024-07-14T14:30',
    body: 'Владислав Овчинский сообщил, что жители дома на Радужной улице начали переезд в новостройку по программе реновации.',
    summary: 'Жители дома на Радужной улице переезжают в новостройку по программе реновации.',
    image: 'raduzhnaya-renovation.jpg',
    credit: 'Москва 24',
    copies: [{ after: 170, source: 'Вечерняя Москва' }],
  },
  {
    title: 'Жаркий движ «Браво, артист» на Черноморском побережье',
    section: 'culture',
    lang: 'ru',
    source: 'Кубань 24',
    at: '2024-07-14T15:00',
    body: 'На Черноморском побережье проходит «Браво, артист».',
    summary: '«Браво, артист» собирает участников на Черноморском побережье.',
    image: 'bravo-artist.jpg',
    credit: 'Кубань 24',
    copies: [
      {
        after: 240,
        source: 'Блокнот Сочи',
        title: 'Жаркий движ "Браво, артист" на Черноморском побережье',
      },
    ],
  },
  {
    title: 'ИИ на службе дорожной инфраструктуры — безопасность на трассе обеспечит нейросеть',
    section: 'tech',
    lang: 'ru',
    source: 'РБК',
    at: '2024-07-14T15:45',
    body: 'Искусственный интеллект поставят на службу дорожной инфраструктуре: безопасность на трассе будет обеспечивать нейросеть.',
  },
  {
    title: 'Выгодный обмен ETH – онлайн покупка крипто-крипто быстро и безопасно',
    section: 'partner',
    lang: 'ru',
    source: 'Пресс-релизы',
    at: '2024-07-14T16:10',
    body: 'Партнерский материал: сервис предлагает онлайн-обмен ETH и других криптовалют.',
  },
  {
    title: 'Почти 20 процентов месячной нормы осадков выпало за ночь в ряде районов Москвы',
    section: 'moscow',
    lang: 'ru',
    source: 'Москва 24',
    at: '2024-07-14T16:30',
    body: 'За ночь в ряде районов Москвы выпало почти 20 процентов месячной нормы осадков.',
  },
  {
    title: 'В Москве прошла акция против открытия филиала Ельцин Центра',
    section: 'moscow',
    lang: 'ru',
    source: 'Москва 24',
    at: '2024-07-14T17:00',
    body: 'В Москве прошла акция против открытия филиала Ельцин Центра.',
    summary: 'Участники акции в Москве выступили против открытия филиала Ельцин Центра.',
    image: 'yeltsin-center-protest.jpg',
    credit: 'Москва 24',
    tags: ['Москва', 'Ельцин Центр'],
    copies: [
      { after: 40, query: TRACKING.mail },
      { after: 230, source: 'Вечерняя Москва' },
    ],
  },
  {
    title: 'Электросамокат как угроза комфортной городской среде',
    section: 'society',
    lang: 'ru',
    source: 'Известия',
    at: '2024-07-14T17:20',
    body: 'Электросамокаты обсуждают как угрозу комфортной городской среде.',
    rich: false,
    summary: 'Электросамокаты называют угрозой комфортной городской среде.',
    image: 'e-scooters.jpg',
    credit: 'Газета.Ru',
    copies: [
      { after: 150, source: 'Газета.Ru', rich: true },
      { after: 155, source: 'Газета.Ru', query: TRACKING.yandex },
    ],
  },
  {
    title: 'Специалист Алаев объяснил, из чего складывается цена туристической страховки',
    section: 'economy',
    lang: 'ru',
    source: 'РИА Новости',
    at: '2024-07-14T18:00',
    body: 'Специалист Алаев объяснил, из чего складывается цена туристической страховки.',
    summary: 'Из чего складывается цена туристической страховки, объяснил специалист Алаев.',
    copies: [{ after: 60, query: TRACKING.telegram }],
  },
  {
    title: 'Карлос Алькарас за день до финала Уимблдона играл в гольф',
    section: 'tennis',
    lang: 'ru',
    source: 'Чемпионат',
    at: '2024-07-14T05:30',
    body: 'Карлос Алькарас за день до финала Уимблдона играл в гольф.',
  },
  {
    title:
      '«Исхудавшая, но с сияющей улыбкой»: онкобольная Кейт Миддлтон появилась на финале Уимблдона',
    section: 'tennis',
    lang: 'ru',
    source: 'Лента.ру',
    at: '2024-07-14T18:40',
    body: 'Принцесса Уэльская Кейт Миддлтон, проходящая лечение от онкологического заболевания, появилась на финале Уимблдона.',
  },
  {
    title: 'Елена Рыбакина получила новую конкурентку после Уимблдона-2024',
    section: 'tennis',
    lang: 'ru',
    source: 'Спорт-Экспресс',
    at: '2024-07-15T06:15',
    body: 'После Уимблдона-2024 у Елены Рыбакиной появилась новая конкурентка.',
  },
  {
    title: 'Олимпиаду в Париже не покажут по ТВ в России',
    section: 'sport',
    lang: 'ru',
    source: 'Советский спорт',
    at: '2024-07-14T19:10',
    body: 'Олимпийские игры в Париже не покажут по телевидению в России.',
  },
  {
    title: 'Уроженка Самарской области выступит на Олимпиаде в Париже',
    section: 'sport',
    lang: 'ru',
    source: 'Спорт-Экспресс',
    at: '2024-07-14T19:40',
    body: 'Спортсменка, родившаяся в Самарской области, выступит на Олимпиаде в Париже.',
  },
  {
    title: 'В Калуге стартовал форум Общественной палаты России «Сообщество»',
    section: 'society',
    lang: 'ru',
    source: 'Новости Калуги',
    at: '2024-07-14T20:05',
    body: 'В Калуге стартовал форум Общественной палаты России «Сообщество».',
  },
  {
    title: 'Еще один ученый приобрел квартиру по льготной ипотеке во Фрязине',
    section: 'science',
    lang: 'ru',
    source: 'РИА Новости',
    at: '2024-07-14T20:30',
    body: 'Во Фрязине еще один ученый приобрел квартиру по льготной ипотеке.',
    rich: false,
    summary: 'Во Фрязине еще один ученый купил жилье по льготной ипотеке.',
    copies: [
      {
        after: 210,
        source: 'Известия',
        title: 'Ещё один учёный приобрёл квартиру по льготной ипотеке во Фрязине',
        rich: true,
      },
    ],
  },
  {
    title: 'Фестиваль искусств начался в\u00a0парке скульптора Сергея Казанцева в\u00a0Истре',
    section: 'culture',
    lang: 'ru',
    source: 'Российская газета',
    at: '2024-07-14T21:00',
    body: 'В Истре в парке скульптора Сергея Казанцева начался фестиваль искусств.',
  },
  {
    title: 'У\u00a0Тимати угнали дорогую машину',
    section: 'music',
    lang: 'ru',
    source: 'InterMedia',
    at: '2024-07-14T21:40',
    body: 'У рэпера Тимати угнали дорогой автомобиль.',
  },
  {
    title: 'Концерт к\u00a0135-летию Александра Вертинского прошел в\u00a0парке Киово в\u00a0Лобне',
    section: 'music',
    lang: 'ru',
    source: 'Культура.РФ',
    at: '2024-07-14T22:20',
    body: 'В парке Киово в Лобне прошел концерт к 135-летию Александра Вертинского.',
  },
  {
    title:
      'Сазыкина ищет справедливости в суде: требует от ПЦ Матвиенко 570 000 руб. за нарушение авторских прав',
    section: 'music',
    lang: 'ru',
    source: 'InterMedia',
    at: '2024-07-15T04:50',
    body: 'Сазыкина обратилась в суд и требует от ПЦ Матвиенко 570 000 рублей за нарушение авторских прав.',
  },
  {
    title: 'Жена Басты раскрыла секрет похудения. Результаты уже заметны',
    section: 'music',
    lang: 'ru',
    source: 'МК',
    at: '2024-07-15T05:20',
    body: 'Жена рэпера Басты рассказала о секрете своего похудения.',
  },
  {
    title: 'Трусова и Игнатов сыграют свадьбу 17 августа',
    section: 'sport',
    lang: 'ru',
    source: 'Советский спорт',
    at: '2024-07-15T06:40',
    body: 'Фигуристка Александра Трусова и Игнатов сыграют свадьбу 17 августа.',
  },
  {
    title: 'Спектакль Сергея Безрукова откроет сезон в нижегородском театре оперы и балета',
    section: 'culture',
    lang: 'ru',
    source: 'Российская газета',
    at: '2024-07-15T07:10',
    body: 'Сезон в нижегородском театре оперы и балета откроет спектакль Сергея Безрукова.',
  },
  {
    title:
      'Самый высокий объем рынка радиорекламы за последние 10 лет: итоги минувшего года, динамика и прогнозы в новом Рекламном ежегоднике',
    section: 'economy',
    lang: 'ru',
    source: 'Коммерсантъ',
    at: '2024-07-15T07:40',
    body: 'Новый Рекламный ежегодник подводит итоги минувшего года: объем рынка радиорекламы стал самым высоким за последние 10 лет.',
  },
  {
    title:
      'В СЛД «Абакан» филиала «Красноярский» компании «ЛокоТех-сервис» поступили новые электровозы 3ЭС5К',
    section: 'economy',
    lang: 'ru',
    source: 'ФедералПресс',
    at: '2024-07-15T08:05',
    body: 'В сервисное локомотивное депо «Абакан» филиала «Красноярский» компании «ЛокоТех-сервис» поступили новые электровозы 3ЭС5К.',
  },
  {
    title: 'Рестораторы направят выручку с гастрофестиваля на нужды СВО',
    section: 'society',
    lang: 'ru',
    source: 'Известия',
    at: '2024-07-15T08:30',
    body: 'Рестораторы направят выручку с гастрофестиваля на нужды СВО.',
  },
  {
    title: 'Исследование: Москва стала лидером по числу ДТП с участием велосипедистов',
    section: 'moscow',
    lang: 'ru',
    source: 'РБК',
    at: '2024-07-15T08:55',
    body: 'Согласно исследованию, Москва стала лидером по числу ДТП с участием велосипедистов.',
  },
  {
    title: 'Ульяновский росгвардеец несколько километров тащил на буксире автомобиль из Москвы',
    section: 'society',
    lang: 'ru',
    source: 'Лента.ру',
    at: '2024-07-15T09:20',
    body: 'Росгвардеец из Ульяновска несколько километров тащил на буксире автомобиль из Москвы.',
  },
  {
    title: 'Путин на Lada Aura дал старт движению по новым трассам в обход Твери и Тольятти',
    section: 'politics',
    lang: 'ru',
    source: 'ТАСС',
    at: '2024-07-15T09:45',
    body: 'Владимир Путин на автомобиле Lada Aura дал старт движению по новым трассам в обход Твери и Тольятти.',
    summary: 'Путин открыл движение по новым трассам в обход Твери и Тольятти.',
    image: 'lada-aura-bypass.jpg',
    credit: 'ТАСС',
  },
  {
    title: 'Москва глазами художников',
    section: 'moscow',
    lang: 'ru',
    source: 'Вечерняя Москва',
    at: '2024-07-15T10:10',
    body: 'Москва глазами художников.',
  },
  {
    title: 'Представители муниципалитетов Псковской области окончили федеральную «Школу мэров»',
    section: 'society',
    lang: 'ru',
    source: 'ФедералПресс',
    at: '2024-07-15T10:35',
    body: 'Представители муниципалитетов Псковской области окончили федеральную «Школу мэров».',
  },
  {
    title:
      'Воронежские выпускники «Школы мэров» разработали системные проекты по улучшению качества жизни в муниципалитетах',
    section: 'society',
    lang: 'ru',
    source: 'ФедералПресс',
    at: '2024-07-15T11:00',
    body: 'Выпускники «Школы мэров» из Воронежской области разработали системные проекты по улучшению качества жизни в муниципалитетах.',
  },
  {
    title: '«Возникнет форс-мажор»: что будет с выборами в США, если Байден не перенесет COVID-19',
    section: 'world',
    lang: 'ru',
    source: 'Газета.Ru',
    at: '2024-07-16T18:30',
    body: 'Что будет с выборами в США, если Байден не перенесет COVID-19: эксперты говорят о возможном форс-мажоре.',
    copies: [{ after: 120, source: 'Лента.ру' }],
  },
  {
    title: 'Новая пандемия может разразиться из-за патогена искусственного происхождения',
    section: 'health',
    lang: 'ru',
    source: 'Известия',
    at: '2024-07-15T11:50',
    body: 'Новая пандемия может разразиться из-за патогена искусственного происхождения.',
  },
  {
    title: 'В Москве врачи спасли двухлетнюю девочку с застрявшей в горле проволокой',
    section: 'health',
    lang: 'ru',
    source: 'Москва 24',
    at: '2024-07-15T12:15',
    body: 'Московские врачи спасли двухлетнюю девочку, у которой в горле застряла проволока.',
  },
  {
    title: 'Попова: на БРИКС приходится около четверти от экспорта лекарств в мире',
    section: 'economy',
    lang: 'ru',
    source: 'Интерфакс',
    at: '2024-07-15T12:40',
    body: 'По словам Поповой, на страны БРИКС приходится около четверти мирового экспорта лекарств.',
  },
  {
    title:
      'В мастер-классе ко Дню рисования на асфальте приняли участие пациенты Детской клинической больницы',
    section: 'health',
    lang: 'ru',
    source: 'Российская газета',
    at: '2024-07-15T13:05',
    body: 'Пациенты Детской клинической больницы приняли участие в мастер-классе ко Дню рисования на асфальте.',
  },
  {
    title:
      '"Умерили амбиции": Провал "саммита мира" вынудил Зеленского призвать к переговорам, заявили во Франции',
    section: 'world',
    lang: 'ru',
    source: 'РИА Новости',
    at: '2024-07-15T13:30',
    body: 'Во Франции заявили, что провал «саммита мира» вынудил Зеленского призвать к переговорам.',
  },
  {
    title: 'МИД РФ: Вашингтон дал Киеву карт-бланш на удары по российской территории',
    section: 'world',
    lang: 'ru',
    source: 'ТАСС',
    at: '2024-07-15T13:55',
    body: 'В МИД России заявили, что Вашингтон дал Киеву карт-бланш на удары по российской территории.',
  },
  {
    title:
      'Зеленский намерен отобрать государственные награды у Азарова, Табачника, Ефремова. Напуганный Бойко - за',
    section: 'world',
    lang: 'ru',
    source: 'Regnum',
    at: '2024-07-15T14:20',
    body: 'Зеленский намерен лишить государственных наград Азарова, Табачника и Ефремова.',
  },
  {
    title:
      'Зеленский поставил крест на последней надежде Киева: попытки Рады развернуть соратника Трампа в свою сторону обречены на провал',
    section: 'world',
    lang: 'ru',
    source: 'Regnum',
    at: '2024-07-15T14:45',
    body: 'Попытки Рады развернуть соратника Трампа в свою сторону названы обреченными на провал.',
  },
  {
    title: 'Каждая пятая российская компания предлагает своим сотрудникам ДМС',
    section: 'economy',
    lang: 'ru',
    source: 'РБК',
    at: '2024-07-15T15:10',
    body: 'Добровольное медицинское страхование своим сотрудникам предлагает каждая пятая российская компания.',
  },
  {
    title: 'Мужской волейбольный клуб "Держава" оказался в семёрке сильнейших команд России',
    section: 'sport',
    lang: 'ru',
    source: 'Чемпионат',
    at: '2024-07-15T15:35',
    body: 'Мужской волейбольный клуб «Держава» вошел в семерку сильнейших команд России.',
  },
  {
    title: 'Ковшом и ножом. Экскаваторщик-гольфист вытворяет умопомрачительные финты',
    section: 'sport',
    lang: 'ru',
    source: 'Советский спорт',
    at: '2024-07-15T16:00',
    body: 'Экскаваторщик-гольфист показывает умопомрачительные финты ковшом и ножом.',
  },
  {
    title:
      'Олег Кожемяко и\u00a0Александр Лукашенко обсудили создание морского порта в\u00a0Приморье',
    section: 'politics',
    lang: 'ru',
    source: 'ПримаМедиа',
    at: '2024-07-15T16:25',
    body: 'Губернатор Приморья Олег Кожемяко и Александр Лукашенко обсудили создание морского порта в Приморье.',
  },
  {
    title: 'Мэр Москвы сообщил о подписании 22 офсетных контрактов',
    section: 'moscow',
    lang: 'ru',
    source: 'Москва 24',
    at: '2024-07-15T16:50',
    body: 'Мэр Москвы сообщил о подписании 22 офсетных контрактов.',
  },
  {
    title: 'Мэр Москвы рассказал о выдающихся учениках столичных школ искусств',
    section: 'moscow',
    lang: 'ru',
    source: 'Вечерняя Москва',
    at: '2024-07-15T17:15',
    body: 'Мэр Москвы рассказал о выдающихся учениках столичных школ искусств.',
  },
  {
    title: 'В двух колледжах Москвы пройдет комплексное обновление — Собянин',
    section: 'moscow',
    lang: 'ru',
    source: 'Москва 24',
    at: '2024-07-15T17:40',
    body: 'Сергей Собянин сообщил, что в двух колледжах Москвы пройдет комплексное обновление.',
  },
  {
    title: 'Собянин принял решение о реконструкции корпусов двух колледжей Москвы',
    section: 'moscow',
    lang: 'ru',
    source: 'Вечерняя Москва',
    at: '2024-07-15T18:05',
    body: 'Сергей Собянин принял решение о реконструкции корпусов двух московских колледжей.',
  },
  {
    title: 'У российской ИТ-компании "Рексофт" появилось сразу несколько стратегических партнеров',
    section: 'tech',
    lang: 'ru',
    source: 'Коммерсантъ',
    at: '2024-07-15T18:30',
    body: 'У российской ИТ-компании «Рексофт» появилось сразу несколько стратегических партнеров.',
  },
  {
    title: 'Сертификаты Wildberries в подписке от Инго Экосистемы',
    section: 'partner',
    lang: 'ru',
    source: 'Пресс-релизы',
    at: '2024-07-15T18:55',
    body: 'Партнерский материал: в подписке Инго Экосистемы появились сертификаты Wildberries.',
  },
  {
    title: 'Синоптик Ильин раскрыл, вернется ли аномальная жара в Москву',
    section: 'moscow',
    lang: 'ru',
    source: 'Газета.Ru',
    at: '2024-07-15T19:20',
    body: 'Синоптик Ильин рассказал, вернется ли в Москву аномальная жара.',
  },
  {
    title: 'Гидролог раскрыл, является ли\u00a0Москва-река чище Сены',
    section: 'science',
    lang: 'ru',
    source: 'Газета.Ru',
    at: '2024-07-15T19:45',
    body: 'Гидролог рассказал, чище ли Москва-река, чем Сена.',
  },
  {
    title: 'Княжевская: за\u00a013 лет выдали 7\u00a0тыс градостроительных планов под соцобъекты',
    section: 'moscow',
    lang: 'ru',
    source: 'Москва 24',
    at: '2024-07-15T20:10',
    body: 'По словам Княжевской, за 13 лет выдано 7 тысяч градостроительных планов под социальные объекты.',
    summary: 'За 13 лет в Москве выдали 7 тысяч градостроительных планов под соцобъекты.',
    copies: [
      { after: 45, query: TRACKING.telegram },
      // The same words with plain spaces instead of the page's no-break spaces.
      {
        after: 150,
        source: 'Вечерняя Москва',
        title: 'Княжевская: за 13 лет выдали 7 тыс градостроительных планов под соцобъекты',
      },
    ],
  },
  {
    title: 'Пассажир самолета в Пулково открыл аварийный люк из-за жары в салоне',
    section: 'society',
    lang: 'ru',
    source: 'Интерфакс',
    at: '2024-07-15T20:35',
    body: 'В Пулково пассажир самолета открыл аварийный люк из-за жары в салоне.',
  },
  {
    title: 'ТСД SAOTRON RT41 GUN: практичный, производительный, надёжный',
    section: 'partner',
    lang: 'ru',
    source: 'Пресс-релизы',
    at: '2024-07-15T21:00',
    body: 'Партнерский материал: терминал сбора данных SAOTRON RT41 GUN.',
  },
  {
    title:
      'АО «Транснефть - Север» в I полугодии 2024 года выполнило диагностику более 1 тыс. км трубопроводов в 4 регионах',
    section: 'economy',
    lang: 'ru',
    source: 'Интерфакс',
    at: '2024-07-15T21:25',
    body: 'АО «Транснефть - Север» в первом полугодии 2024 года выполнило диагностику более 1 тыс. км трубопроводов в четырех регионах.',
  },
  {
    title: 'Краеведческое посвящение «Здесь артековская слава начинала свой поход»',
    section: 'culture',
    lang: 'ru',
    source: 'Крым 24',
    at: '2024-07-15T21:50',
    body: 'Прошло краеведческое посвящение «Здесь артековская слава начинала свой поход».',
  },
  {
    title:
      'В рейтинге городов России по объемам ввода жилья Севастополь на 29 месте, Симферополь — 73',
    section: 'economy',
    lang: 'ru',
    source: 'Крым 24',
    at: '2024-07-16T05:15',
    body: 'В рейтинге городов России по объемам ввода жилья Севастополь занял 29 место, Симферополь — 73.',
  },
  {
    title: 'Люди в тюрьмах на жару в Крыму не жалуются',
    section: 'society',
    lang: 'ru',
    source: 'Крым 24',
    at: '2024-07-16T05:40',
    body: 'Люди, находящиеся в местах заключения в Крыму, на жару не жалуются.',
  },
  {
    title: 'Час духовности «Приняла крещенье Русь»',
    section: 'culture',
    lang: 'ru',
    source: 'Крым 24',
    at: '2024-07-16T06:05',
    body: 'Прошел час духовности «Приняла крещенье Русь».',
  },
  {
    title: 'Стартовали съемки второго сезона сериала «Казанова»',
    section: 'culture',
    lang: 'ru',
    source: 'InterMedia',
    at: '2024-07-16T06:30',
    body: 'Начались съемки второго сезона сериала «Казанова».',
  },
  {
    title:
      'Мэр Иркутска выступил с докладом на заседании Совета по местному самоуправлению при Совете Федерации РФ',
    section: 'politics',
    lang: 'ru',
    source: 'ФедералПресс',
    at: '2024-07-16T06:55',
    body: 'Мэр Иркутска выступил с докладом на заседании Совета по местному самоуправлению при Совете Федерации РФ.',
  },
  {
    title: 'Мелёшин: Мечтаю, чтобы «Спартак» стал чемпионом',
    section: 'sport',
    lang: 'ru',
    source: 'Спорт-Экспресс',
    at: '2024-07-16T07:20',
    body: 'Мелёшин рассказал, что мечтает о чемпионстве «Спартака».',
  },
  {
    title: 'Надежда Михалкова, Егор Корешков, Павел Деревянко, Рома Зверь в фильме «Сломя голову»',
    section: 'culture',
    lang: 'ru',
    source: 'InterMedia',
    at: '2024-07-16T07:45',
    body: 'Надежда Михалкова, Егор Корешков, Павел Деревянко и Рома Зверь сыграли в фильме «Сломя голову».',
  },
  {
    title: 'В Новосибирске разместят экспозицию региона с выставки-форума «Россия» на ВДНХ',
    section: 'society',
    lang: 'ru',
    source: 'Российская газета',
    at: '2024-07-16T08:10',
    body: 'Экспозицию Новосибирской области с выставки-форума «Россия» на ВДНХ разместят в Новосибирске.',
  },
  /* Ukrainian items written for the sample (not on the page), on the page's topics. */
  {
    title: 'У Києві обговорюють, як зробити електросамокати безпечнішими для пішоходів',
    section: 'ukraine',
    lang: 'uk',
    source: 'Українська правда',
    at: '2024-07-16T08:40',
    body: 'У Києві обговорюють правила користування електросамокатами. Йдеться про безпеку пішоходів на тротуарах.',
    tags: ['Київ', 'електросамокати'],
  },
  {
    title: 'Спека в Києві: синоптики розповіли, коли чекати на полегшення',
    section: 'ukraine',
    lang: 'uk',
    source: 'Укрінформ',
    at: '2024-07-16T09:10',
    body: 'У Києві тримається спекотна погода. Синоптики розповіли, коли очікувати на зниження температури.',
    summary: 'Синоптики розповіли, коли в Києві спаде спека.',
  },
  {
    title: 'У Львові зросли ціни на м’ясо на ринках',
    section: 'business',
    lang: 'uk',
    source: 'ZAXID.NET',
    at: '2024-07-16T09:35',
    body: 'На ринках Львова подорожчало м’ясо, повідомляють продавці.',
    summary: 'У Львові на ринках подорожчало м’ясо.',
    image: 'lviv-market.jpg',
    credit: 'ZAXID.NET',
    tags: ['Львів', 'ціни'],
    // Same title with an ASCII apostrophe: the commonest near-duplicate in Ukrainian text.
    copies: [
      { after: 180, source: 'Львівський портал', title: "У Львові зросли ціни на м'ясо на ринках" },
    ],
  },
];

/** English headlines of the page that live in the sample feeds instead (scripts/sample/feeds/). */
export const IN_FEEDS = [
  'UFC Denver video: Abdul Razak Alhassan vs. Cody Brundage ends in no-contest after illegal blows',
  "Biden's anger bleeds through as party weighs his future",
  'Bears Reportedly Played A Big Part In Giants Losing Saquon Barkley',
  "I didn't expect my favorite cozy MMO to do a crossover with a Finnish children's series",
  "Yesterday I ignored 10 tornado warnings to finish a Destiny 2 raid, didn't get the exotic drop, and disappointed my fiancée. Is there some sort of lesson here?",
  "CD Projekt's Pawel Sasko tells the inspiring tale of how an Estonian beet farmer in Australia became a senior quest designer on The Witcher 4",
];

const BELARUS_TITLE =
  'The United States Should Use Rapprochement with Belarus to Push for Democratic Reforms';

/** The English article's paragraphs, verbatim from the seed (sub-headings kept as paragraphs). */
export function belarusParagraphs(seed: string): string[] {
  const start = seed.indexOf(BELARUS_TITLE);
  const end = seed.indexOf('Featured image:');
  if (start < 0 || end < start)
    throw new Error('seed page: the Belarus article is not where expected');
  return seed
    .slice(start + BELARUS_TITLE.length, end)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

function urlFor(source: string, section: string, at: string, title: string): string {
  const host = HOSTS[source];
  if (!host) throw new Error(`no host for source ${source}`);
  return `https://${host}/${section}/${at.slice(0, 10).replaceAll('-', '/')}/${(fnv1a32(title) % 900000) + 100000}/`;
}

function iso(at: string, plusMinutes = 0): string {
  const t = Date.parse(`${at}:00Z`) + plusMinutes * 60_000;
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

function record(story: Story, copy: Copy | null): SampleRecord {
  const source = copy?.source ?? story.source;
  const title = copy?.title ?? story.title;
  const rich = copy === null ? story.rich !== false : copy.rich === true;
  let url = urlFor(source, story.section, story.at, story.title);
  if (copy?.query) url += `?${copy.query}`;
  const rec: SampleRecord = {
    source,
    section: story.section,
    lang: story.lang,
    published: iso(story.at, copy?.after ?? 0),
    title,
    body: story.body,
    url,
  };
  if (rich && story.summary) rec.summary = story.summary;
  if (rich && story.image) {
    rec.image = `${IMAGE_BASE}${story.image}`;
    if (story.credit) rec.image_credit = story.credit;
  }
  if (rich && story.tags) rec.tags = story.tags;
  return rec;
}

export function buildNewsPageRecords(seed: string): SampleRecord[] {
  const paragraphs = belarusParagraphs(seed);
  const belarus: SampleRecord = {
    id: 'atlantic-council-belarus-rapprochement',
    source: 'Atlantic Council',
    section: 'politics',
    lang: 'en',
    published: '2024-07-15T14:00:00Z',
    title: BELARUS_TITLE,
    body: paragraphs.join('\n\n'),
    url: 'https://www.atlanticcouncil.example/blogs/ukrainealert/the-united-states-should-use-rapprochement-with-belarus-to-push-for-democratic-reforms/',
    // Sentence ends are followed by a capital letter, so "U.S. official" is not one.
    summary:
      paragraphs[0]
        ?.split(/(?<=[.!?])\s+(?=\p{Lu})/u)
        .slice(0, 2)
        .join(' ') ?? '',
    image: `${IMAGE_BASE}belarus-minsk.jpg`,
    image_credit: 'Drop of Light / Shutterstock',
    tags: ["Europe's East and Russia"],
  };
  const out: SampleRecord[] = [belarus];
  for (const story of STORIES) {
    out.push(record(story, null));
    for (const copy of story.copies ?? []) out.push(record(story, copy));
  }
  return out;
}

export function toJsonl(records: readonly SampleRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seedPath = process.argv[2] ?? '../shared/seed/news-page.txt';
  const outPath = process.argv[3] ?? 'scripts/sample/news-page.jsonl';
  const records = buildNewsPageRecords(readFileSync(seedPath, 'utf8'));
  writeFileSync(outPath, toJsonl(records));
  console.log(`${outPath}: ${records.length} records`);
}
